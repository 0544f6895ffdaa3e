"""Constants shared by the layers of etl/ (no imports: anything may import this)."""

# loaded_by of the batches of the shipped sample data (the 示例数据 banner).
SAMPLE_USER = "示例数据"
