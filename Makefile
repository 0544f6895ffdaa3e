# 网格化管理考核看板 — make run / make test
PYTHON ?= python3
VENV := .venv
ifeq ($(OS),Windows_NT)
BIN := $(VENV)/Scripts
else
BIN := $(VENV)/bin
endif
PY := $(BIN)/python
PORT ?= 8501
ADDRESS ?= localhost

.PHONY: help run test shots soak lint format sample bench browser-deps clean

help: ## 列出所有命令 / list targets
	@grep -E '^[a-z-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-13s %s\n", $$1, $$2}'

# Python writes each module's bytecode on its first import (its default), so pip does not compile
# all 7,000 files of the packages up front (17 of 30 CPU-s of the install, on this machine) and
# every later process (test workers, app servers, the command line, file readers) loads our own
# modules compiled: a machine-wide PYTHONDONTWRITEBYTECODE would make each process compile them
# again.
unexport PYTHONDONTWRITEBYTECODE

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --no-compile -r requirements.txt
	@touch $@

# SAMPLE=0 starts with an empty database; the sample is never written into a database named
# by GRID_DB (etl sample --first-run checks both).
SAMPLE ?= 1

run: $(VENV)/.installed ## 安装并启动看板（SAMPLE=0 不生成示例数据）/ set up and start the dashboard
ifneq ($(SAMPLE),0)
	$(PY) -m etl sample --first-run
endif
	$(PY) -m streamlit run dashboard.py --server.address=$(ADDRESS) --server.port=$(PORT)

# Three pytest workers (pytest-xdist), one test module per worker at a time: module-scoped app
# servers stay shared and the browser tests' waits overlap. TEST_WORKERS=0 runs in one process.
# On this 2-core machine the suite is CPU-bound (460-630 CPU-s: test processes, Chromium, app
# servers), so more workers do not help: four took as long as three, with more CPU (12-04).
# pytest took 244-303 s in clean clones on 12-04.
# Tests save screenshots only on failure; `make shots` saves every named one.
TEST_WORKERS ?= 3

test: $(VENV)/.installed ## 安装并运行全部测试 / set up and run every test
	$(PY) -m ruff check .
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

lint: $(VENV)/.installed ## 代码检查 / ruff check and format check
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(VENV)/.installed ## 自动格式化 / ruff format
	$(PY) -m ruff format .

sample: $(VENV)/.installed ## 重新生成示例数据库 / rebuild the sample database
	$(PY) -m etl sample --force

bench: $(VENV)/.installed ## 运行性能测试并打印结果 / run the benchmarks
	$(PY) bench/bench_load.py
	$(PY) bench/bench_views.py
	$(PY) bench/bench_pages.py
	$(PY) bench/bench_hostile.py

shots: $(VENV)/.installed ## 浏览器测试并保存截图（test-output/screenshots/）/ browser tests with screenshots
	GRID_SHOTS=1 $(PY) -m pytest -q $(wildcard tests/test_browser_*.py) -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

soak: $(VENV)/.installed ## 大屏长时间运行测试（10 分钟）/ 10-minute display soak
	SOAK_SECONDS=600 $(PY) -m pytest tests/test_browser_display.py -q -s -m soak

clean: ## 删除虚拟环境和缓存 / remove venv and caches
	rm -rf $(VENV) .pytest_cache .ruff_cache test-output
