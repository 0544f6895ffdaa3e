"""ETL and rules for the grid-management assessment dashboard (no Streamlit imports here)."""
