-- Storage tables. Rows are only ever inserted; a batch's status decides whether its rows count.
-- The "current" state (cur_* views below) is derived: for each (kind, area, period, grid) key the
-- rows of the newest active batch holding that key count. Reverting a batch therefore brings
-- back whatever it had superseded without touching any row.

CREATE TABLE IF NOT EXISTS batch (
    batch_id     INTEGER PRIMARY KEY,
    file_name    VARCHAR NOT NULL,
    sha256       VARCHAR NOT NULL,
    kind         VARCHAR NOT NULL,      -- kinds loaded from the file, comma-separated
    area         VARCHAR,               -- areas touched, comma-separated
    periods      VARCHAR[],             -- '2018-05' for months, '2018' for years
    grids        VARCHAR[],
    row_count    INTEGER NOT NULL,
    loaded_at    TIMESTAMP NOT NULL,
    loaded_by    VARCHAR NOT NULL,
    status       VARCHAR NOT NULL,      -- 'active' | 'reverted'
    reverted_at  TIMESTAMP,
    reverted_by  VARCHAR,
    options      VARCHAR,               -- JSON: forced kind/month/year, for rebuild
    archive_name VARCHAR NOT NULL       -- file name inside archive/
);

CREATE TABLE IF NOT EXISTS grid_registry (
    batch_id          INTEGER NOT NULL,
    area              VARCHAR NOT NULL,
    grid_code         VARCHAR NOT NULL,
    grid_name         VARCHAR NOT NULL,
    big_grid          VARCHAR,
    leader_name       VARCHAR NOT NULL,
    leader_title      VARCHAR,
    lead_unit         VARCHAR NOT NULL,
    responsible_units VARCHAR[],
    scope             VARCHAR,
    contact_name      VARCHAR,
    contact_phone     VARCHAR,
    sort_order        INTEGER NOT NULL,
    sheet             VARCHAR,
    excel_row         INTEGER
);

CREATE TABLE IF NOT EXISTS rubric_item (
    batch_id   INTEGER NOT NULL,
    item_code  VARCHAR NOT NULL,
    category   VARCHAR NOT NULL,
    content    VARCHAR,
    max_points DOUBLE NOT NULL,
    sort_order INTEGER NOT NULL,
    sheet      VARCHAR,
    excel_row  INTEGER
);

CREATE TABLE IF NOT EXISTS monthly_score (
    batch_id  INTEGER NOT NULL,
    area      VARCHAR NOT NULL,
    month     DATE NOT NULL,
    grid_code VARCHAR NOT NULL,
    total     DOUBLE NOT NULL,
    note      VARCHAR,
    sheet     VARCHAR,
    excel_row INTEGER
);

-- One row per (grid, month, rubric item or category column of the sheet).
CREATE TABLE IF NOT EXISTS monthly_item_score (
    batch_id   INTEGER NOT NULL,
    area       VARCHAR NOT NULL,
    month      DATE NOT NULL,
    grid_code  VARCHAR NOT NULL,
    item_code  VARCHAR NOT NULL,
    category   VARCHAR NOT NULL,
    max_points DOUBLE NOT NULL,
    score      DOUBLE NOT NULL
);

CREATE TABLE IF NOT EXISTS annual_score (
    batch_id  INTEGER NOT NULL,
    area      VARCHAR NOT NULL,
    year      INTEGER NOT NULL,
    grid_code VARCHAR NOT NULL,
    year_end  DOUBLE NOT NULL,
    note      VARCHAR,
    sheet     VARCHAR,
    excel_row INTEGER
);

CREATE TABLE IF NOT EXISTS report (
    batch_id     INTEGER NOT NULL,
    area         VARCHAR NOT NULL,
    month        DATE NOT NULL,
    grid_code    VARCHAR NOT NULL,
    submitted_on DATE NOT NULL,
    title        VARCHAR,
    pictures     INTEGER,
    meetings     INTEGER,
    patrols      INTEGER,
    sheet        VARCHAR,
    excel_row    INTEGER
);

CREATE TABLE IF NOT EXISTS volunteer_activity (
    batch_id      INTEGER NOT NULL,
    area          VARCHAR NOT NULL,
    month         DATE NOT NULL,
    grid_code     VARCHAR NOT NULL,
    activity_date DATE NOT NULL,
    title         VARCHAR NOT NULL,
    organiser     VARCHAR,
    participants  INTEGER,
    hours         DOUBLE,
    sheet         VARCHAR,
    excel_row     INTEGER
);

CREATE TABLE IF NOT EXISTS problem (
    batch_id     INTEGER NOT NULL,
    area         VARCHAR NOT NULL,
    month        DATE NOT NULL,         -- month found
    grid_code    VARCHAR NOT NULL,
    found_on     DATE NOT NULL,
    category     VARCHAR NOT NULL,      -- one of the eight duties or 工作机制
    subcategory  VARCHAR,
    location     VARCHAR,
    description  VARCHAR,
    handler      VARCHAR,
    deadline     DATE,
    rectified_on DATE,
    recheck      VARCHAR,
    sheet        VARCHAR,
    excel_row    INTEGER
);

-- Street-lamp night checks (DOMAIN §10): one row per grid and month checked. The loader refuses
-- negative counts, installed > required and lit > installed, so the rows here are consistent.
CREATE TABLE IF NOT EXISTS lamp_check (
    batch_id  INTEGER NOT NULL,
    area      VARCHAR NOT NULL,
    month     DATE NOT NULL,
    grid_code VARCHAR NOT NULL,
    required  INTEGER NOT NULL,         -- 应装路灯数 (by the plan or design)
    installed INTEGER NOT NULL,         -- 已装路灯数
    lit       INTEGER NOT NULL,         -- 亮灯数 at the check
    note      VARCHAR,
    sheet     VARCHAR,
    excel_row INTEGER
);

-- Rectification notices and written-explanation requests (DOMAIN §9, issue 7). Append-only like
-- everything else: a notice is its 'issue' event; a response and a closing are further events of
-- the same notice_id, so nothing said or recorded is ever lost. The `notice` view (views.sql)
-- folds the events into one row per notice with its status.
CREATE TABLE IF NOT EXISTS notice_event (
    event_id    INTEGER PRIMARY KEY,
    notice_id   VARCHAR NOT NULL,      -- 'area|YYYY-MM|grid_code|kind': one notice per rule hit
    action      VARCHAR NOT NULL,      -- 'issue' | 'respond' | 'close'
    area        VARCHAR NOT NULL,
    month       DATE NOT NULL,         -- the month the notice is about
    grid_code   VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,      -- 末位整改 | 书面说明 | 未按时报送 | 无志愿服务 | 逾期问题 | 年度不达标 | 路灯未达标
    on_date     DATE NOT NULL,         -- issued / response received / closed on
    due_on      DATE,                  -- issue: the response deadline stated in the notice
    notice_no   VARCHAR,               -- issue: the document number
    facts       VARCHAR,               -- issue: JSON of the facts the notice states, as issued
    note        VARCHAR,
    recorded_at TIMESTAMP NOT NULL,
    recorded_by VARCHAR NOT NULL
);

-- Settings (DOMAIN §5, §6): rules that the plan leaves open. Defaults are inserted by the code.
CREATE TABLE IF NOT EXISTS setting (
    key        VARCHAR PRIMARY KEY,
    value      VARCHAR NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- A counter bumped by every write, so that caches can tell a new state from an old one.
CREATE TABLE IF NOT EXISTS meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

-- Every write (load, revert, setting, notice events) commits its id here in the same
-- transaction, and logs the id in archive/batches.jsonl before the commit: after a crash,
-- the log entry counts exactly when its id is here (etl/store.py reconcile).
CREATE TABLE IF NOT EXISTS write_txn (
    txn VARCHAR PRIMARY KEY
);

-- "Today" in Asia/Shanghai (DOMAIN §6); a connection may pin it with SET VARIABLE grid_today.
CREATE OR REPLACE MACRO grid_today() AS
    coalesce(getvariable('grid_today')::DATE, (now() AT TIME ZONE 'Asia/Shanghai')::DATE);

-- Current (active, not superseded) rows of each kind.
CREATE OR REPLACE VIEW active_batch AS
SELECT * FROM batch WHERE status = 'active';

-- grids and rubric: the newest active batch replaces the whole registry / rubric.
CREATE OR REPLACE VIEW cur_grid_registry AS
SELECT * FROM grid_registry
WHERE batch_id = (SELECT max(r.batch_id) FROM grid_registry r JOIN active_batch USING (batch_id));

CREATE OR REPLACE VIEW cur_rubric AS
SELECT * FROM rubric_item
WHERE batch_id = (SELECT max(r.batch_id) FROM rubric_item r JOIN active_batch USING (batch_id));

-- Other kinds: newest active batch per (area, period, grid) supersedes (DATA_CONTRACT §2).
CREATE OR REPLACE VIEW cur_monthly_score AS
SELECT s.* FROM monthly_score s JOIN active_batch USING (batch_id)
QUALIFY s.batch_id = max(s.batch_id) OVER (PARTITION BY s.area, s.month, s.grid_code);

CREATE OR REPLACE VIEW cur_monthly_item_score AS
SELECT s.* FROM monthly_item_score s JOIN active_batch USING (batch_id)
QUALIFY s.batch_id = max(s.batch_id) OVER (PARTITION BY s.area, s.month, s.grid_code);

CREATE OR REPLACE VIEW cur_annual_score AS
SELECT s.* FROM annual_score s JOIN active_batch USING (batch_id)
QUALIFY s.batch_id = max(s.batch_id) OVER (PARTITION BY s.area, s.year, s.grid_code);

CREATE OR REPLACE VIEW cur_report AS
SELECT s.* FROM report s JOIN active_batch USING (batch_id)
QUALIFY s.batch_id = max(s.batch_id) OVER (PARTITION BY s.area, s.month, s.grid_code);

CREATE OR REPLACE VIEW cur_volunteer AS
SELECT s.* FROM volunteer_activity s JOIN active_batch USING (batch_id)
QUALIFY s.batch_id = max(s.batch_id) OVER (PARTITION BY s.area, s.month, s.grid_code);

CREATE OR REPLACE VIEW cur_problem AS
SELECT s.* FROM problem s JOIN active_batch USING (batch_id)
QUALIFY s.batch_id = max(s.batch_id) OVER (PARTITION BY s.area, s.month, s.grid_code);

CREATE OR REPLACE VIEW cur_lamp_check AS
SELECT s.* FROM lamp_check s JOIN active_batch USING (batch_id)
QUALIFY s.batch_id = max(s.batch_id) OVER (PARTITION BY s.area, s.month, s.grid_code);
