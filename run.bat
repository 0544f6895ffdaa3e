@echo off
rem 网格化管理考核看板 — Windows 启动脚本（相当于 make run）
cd /d "%~dp0"
if not exist .venv\Scripts\python.exe (
  py -3 -m venv .venv || python -m venv .venv
  .venv\Scripts\python.exe -m pip install --upgrade pip
  .venv\Scripts\python.exe -m pip install -r requirements.txt
)
rem set SAMPLE=0 to start with an empty database instead of the sample data
if not "%SAMPLE%"=="0" .venv\Scripts\python.exe -m etl sample --first-run
.venv\Scripts\python.exe -m streamlit run dashboard.py --server.address=localhost
