-- Public views (DATA_CONTRACT §3) and the rules of DOMAIN.md behind them.
-- Built only on the cur_* views of schema.sql (active, not superseded rows), never on the
-- storage tables. Executed on every ensure_schema: everything here is CREATE OR REPLACE.
--
-- Performance note: every window below is partitioned by area (or a finer key that starts
-- with area), so a query filtered on area pushes the filter down to the storage scans and
-- computes one area only. Keep it so when editing: a window without area in its PARTITION BY
-- would make every page compute the whole province.

-- ---------------------------------------------------------------------------------------
-- Rule macros: the one home of the ranking and assessment rules (DOMAIN §4, §5). The views
-- below are built with them, and Python asks them (never re-implements them) for data that
-- is not in the views: etl/rulesql.py runs this block on an in-memory DuckDB for the in-file
-- rank check and the sample generator; the annual what-if and the provisional standing call
-- annual_assessment (further down) with other settings. This block must stay pure (no table
-- or view, only macros of this block) so that it runs on its own.
-- >>> pure rule macros
-- DOMAIN §4: standard competition ranking ("1, 2, 2, 4") of v, descending, within (area,
-- period); a NULL v is not ranked. A window macro: use it in a SELECT list.
CREATE OR REPLACE MACRO competition_rank(area, period, v) AS
    CASE WHEN v IS NOT NULL THEN
        rank() OVER (PARTITION BY area, period ORDER BY v DESC NULLS LAST)
    END::INTEGER;

-- DOMAIN §4 bottom three: fewer than 3 ranked values strictly lower. rank() ascending is
-- 1 + the number strictly lower, so the test is rank_asc <= 3; ties at the edge all get in.
CREATE OR REPLACE MACRO bottom_three(area, period, v) AS
    coalesce(v IS NOT NULL
        AND rank() OVER (PARTITION BY area, period ORDER BY v ASC NULLS LAST) <= 3, false);

-- The front of a ranking (前三名, shown green on every page, the display and the bulletin):
-- competition rank 1–3, so ties at the edge all get in, like the bottom three; never a grid in
-- the bottom three (DOMAIN §4 decides that one), which in a small area (five grids, or a tie
-- over the middle) could otherwise be named front and bottom in the same month.
CREATE OR REPLACE MACRO top_three(rank, bottom) AS coalesce(rank <= 3 AND NOT bottom, false);

-- DOMAIN §5: composite = round(w1 × routine_avg + w2 × year_end, 2), half away from zero on
-- the decimal value (cast to DECIMAL first so that 87.075 stored as 87.07499… gives 87.08).
CREATE OR REPLACE MACRO composite_score(routine_avg, year_end, w_routine, w_year_end) AS
    round((w_routine * routine_avg + w_year_end * year_end)::DECIMAL(18, 6), 2)::DOUBLE;

-- DOMAIN §5 tier: composite < pass mark → 不达标 whatever the rank; else by rank limits.
CREATE OR REPLACE MACRO annual_tier(composite, rank, pass_mark, tier1_ranks, tier2_ranks, tier3_ranks) AS
    CASE
        WHEN composite IS NULL OR rank IS NULL THEN NULL
        WHEN composite < pass_mark THEN '不达标'
        WHEN rank <= tier1_ranks THEN '一类'
        WHEN rank <= tier2_ranks THEN '二类'
        WHEN rank <= tier3_ranks THEN '三类'
        ELSE '达标'
    END;

-- A tier's quota is its rank span (2, 4, 6 by default); 达标/不达标 have none.
CREATE OR REPLACE MACRO tier_quota(tier, tier1_ranks, tier2_ranks, tier3_ranks) AS
    CASE tier
        WHEN '一类' THEN tier1_ranks
        WHEN '二类' THEN tier2_ranks - tier1_ranks
        WHEN '三类' THEN tier3_ranks - tier2_ranks
    END::INTEGER;

CREATE OR REPLACE MACRO tier_reward(tier, reward_tier1, reward_tier2, reward_tier3, reward_pass) AS
    CASE tier
        WHEN '一类' THEN reward_tier1
        WHEN '二类' THEN reward_tier2
        WHEN '三类' THEN reward_tier3
        WHEN '达标' THEN reward_pass
        WHEN '不达标' THEN 0
    END::INTEGER;

-- The smallest year-end score x in [0, 100], to 2 decimals rounded up, with
-- w1 × routine_avg + w2 × x ≥ target; NULL when out of reach (the provisional standing).
CREATE OR REPLACE MACRO needed_year_end(routine_avg, target, w_routine, w_year_end) AS
    CASE
        WHEN routine_avg IS NULL OR target IS NULL THEN NULL
        WHEN w_year_end <= 0 THEN
            CASE WHEN w_routine * routine_avg >= target THEN 0.0 END
        WHEN ceil(round((target - w_routine * routine_avg) / w_year_end * 100, 6)) / 100 > 100 THEN NULL
        ELSE greatest(ceil(round((target - w_routine * routine_avg) / w_year_end * 100, 6)) / 100, 0.0)
    END::DOUBLE;

-- The year-end score a grid needs to reach rank ≤ L when every other grid keeps its projected
-- composite. field: every projected composite of the area-year, best first (the grid's own
-- `composite` among them when not NULL); nth_best_other is the L-th best of the *others*. The
-- grid must reach the pass mark (needed_pass) and that composite (needed_nth, both from
-- needed_year_end): then at most L − 1 others are strictly above it, so its competition rank
-- is ≤ L. No L-th other: the pass mark alone; either bound out of reach: NULL. (Staged in
-- three macros so that a query computes each part once, in its own column.)
CREATE OR REPLACE MACRO nth_best_other(composite, field, n) AS
    CASE WHEN composite IS NOT NULL AND composite >= field[n] THEN field[n + 1] ELSE field[n] END;

CREATE OR REPLACE MACRO needed_for_rank(needed_pass, nth_other, needed_nth) AS
    CASE
        WHEN nth_other IS NULL THEN needed_pass
        WHEN needed_pass IS NULL OR needed_nth IS NULL THEN NULL
        ELSE greatest(needed_pass, needed_nth)
    END::DOUBLE;

-- The work bulletin (工作简报) of a month is dated the 5th of the following month unless
-- another date is chosen: the month's reports are due on the 25th and the office compiles the
-- bulletin in the first days of the next month (README). Not the day the file is generated.
CREATE OR REPLACE MACRO bulletin_date(m) AS
    (date_trunc('month', m::DATE) + INTERVAL 1 MONTH + INTERVAL 4 DAY)::DATE;
-- <<< pure rule macros

-- ---------------------------------------------------------------------------------------
-- Settings (DOMAIN §5, §6): the plan leaves these open. The `setting` table holds only the
-- values someone changed (etl/settings.py validates them); a key absent from the table, or a
-- value that does not parse, falls back to the default below. This is the one home of the
-- defaults: etl/settings.py reads them from here.
CREATE OR REPLACE VIEW setting_default AS
SELECT * FROM (VALUES
    ('weight_routine', '0.6'),
    ('weight_year_end', '0.4'),
    ('pass_mark', '60'),
    ('tier1_ranks', '2'),
    ('tier2_ranks', '6'),
    ('tier3_ranks', '12'),
    ('reward_tier1', '20000'),
    ('reward_tier2', '15000'),
    ('reward_tier3', '10000'),
    ('reward_pass', '5000'),
    ('report_deadline_day', '25'),
    ('notice_due_days', '7'),
    ('lamp_install_target', '1.00'),
    ('lamp_lit_target', '0.95'),
    ('meetings_expected', '4')
) AS d(key, value);

-- Effective value of every known setting (the table's value, else the default).
CREATE OR REPLACE VIEW setting_value AS
SELECT
    d.key,
    coalesce(s.value, d.value) AS value,
    d.value AS default_value,
    s.value IS NULL AS is_default,
    s.updated_at
FROM setting_default d
LEFT JOIN setting s USING (key);

-- The same, as one typed row to CROSS JOIN into the rule views. The lamp targets are also read
-- as exact decimals (dx), so that 38 lit of 40 installed meets 0.95 exactly (DOMAIN §10).
CREATE OR REPLACE VIEW rule_setting AS
WITH v AS (
    SELECT d.key, coalesce(try_cast(s.value AS DOUBLE), d.value::DOUBLE) AS x,
        coalesce(try_cast(s.value AS DECIMAL(9, 4)), d.value::DECIMAL(9, 4)) AS dx
    FROM setting_default d
    LEFT JOIN setting s USING (key)
)
SELECT
    max(x) FILTER (WHERE key = 'weight_routine') AS weight_routine,
    max(x) FILTER (WHERE key = 'weight_year_end') AS weight_year_end,
    max(x) FILTER (WHERE key = 'pass_mark') AS pass_mark,
    max(x) FILTER (WHERE key = 'tier1_ranks')::INTEGER AS tier1_ranks,
    max(x) FILTER (WHERE key = 'tier2_ranks')::INTEGER AS tier2_ranks,
    max(x) FILTER (WHERE key = 'tier3_ranks')::INTEGER AS tier3_ranks,
    max(x) FILTER (WHERE key = 'reward_tier1')::INTEGER AS reward_tier1,
    max(x) FILTER (WHERE key = 'reward_tier2')::INTEGER AS reward_tier2,
    max(x) FILTER (WHERE key = 'reward_tier3')::INTEGER AS reward_tier3,
    max(x) FILTER (WHERE key = 'reward_pass')::INTEGER AS reward_pass,
    max(x) FILTER (WHERE key = 'report_deadline_day')::INTEGER AS report_deadline_day,
    max(x) FILTER (WHERE key = 'notice_due_days')::INTEGER AS notice_due_days,
    max(dx) FILTER (WHERE key = 'lamp_install_target') AS lamp_install_target,
    max(dx) FILTER (WHERE key = 'lamp_lit_target') AS lamp_lit_target,
    max(x) FILTER (WHERE key = 'meetings_expected')::INTEGER AS meetings_expected
FROM v;

-- ---------------------------------------------------------------------------------------
-- DOMAIN §1: the grid registry. Grid list, names and areas come from the newest registry.
CREATE OR REPLACE VIEW grid AS
SELECT
    area, grid_code, grid_name, big_grid, leader_name, leader_title, lead_unit,
    responsible_units, scope, contact_name, contact_phone, sort_order
FROM cur_grid_registry;

-- DOMAIN §4: the checks of an area are its months with any monthly score, in order;
-- check_no numbers them 1, 2, 3 … per area (the basis of streaks and of "previous check").
CREATE OR REPLACE VIEW area_month AS
SELECT
    area,
    month,
    row_number() OVER (PARTITION BY area ORDER BY month)::INTEGER AS check_no,
    n_scores
FROM (SELECT area, month, count(*) AS n_scores FROM cur_monthly_score GROUP BY area, month);

-- DOMAIN §6, §7, §11: an area's data range runs from its first to its last month holding data
-- of any kind (monthly scores, reports, volunteer records, problems, lamp checks), every month
-- in between.
CREATE OR REPLACE VIEW area_data_month AS
WITH bounds AS (
    SELECT area, min(first_month) AS first_month, max(last_month) AS last_month
    FROM (
        SELECT area, min(month) AS first_month, max(month) AS last_month
        FROM cur_monthly_score GROUP BY area
        UNION ALL
        SELECT area, min(month), max(month) FROM cur_report GROUP BY area
        UNION ALL
        SELECT area, min(month), max(month) FROM cur_volunteer GROUP BY area
        UNION ALL
        SELECT area, min(month), max(month) FROM cur_problem GROUP BY area
        UNION ALL
        SELECT area, min(month), max(month) FROM cur_lamp_check GROUP BY area
    )
    GROUP BY area
)
SELECT area, unnest(range(first_month, last_month + INTERVAL 1 MONTH, INTERVAL 1 MONTH))::DATE
    AS month
FROM bounds;

-- Every registry grid × every month of its area's data range.
CREATE OR REPLACE VIEW grid_data_month AS
SELECT m.area, m.month, g.grid_code
FROM area_data_month m
JOIN cur_grid_registry g ON g.area = m.area;

-- ---------------------------------------------------------------------------------------
-- DOMAIN §4: monthly rank, missing grids, bottom three, streak.
--  * One row per registry grid per checked month of its area. Scores of grids absent from
--    the current registry are ignored (the registry defines the grid list).
--  * total is rounded to 4 decimals so that float noise from summing item scores (0.1 + 0.2)
--    can never break a tie.
--  * rank: competition ranking "1, 2, 2, 4" of total desc within (area, month); NULL when
--    missing (缺检). n_ranked counts the ranked grids only.
--  * rank, bottom_three, top_three: the rule macros at the top of this file (competition
--    rank; fewer than 3 ranked grids strictly lower; rank 1–3 and not in the bottom three),
--    ties at the edge all get in.
--  * streak: consecutive checks ending here in bottom three, by "check number minus row
--    number" islands per (area, grid, bottom_three). Every grid has a row at every check, so
--    a missing check (bottom_three false) ends the island. Runs across years.
--  * prev_rank / rank_change: rank at the area's previous check; change > 0 = moved up.
--  * status_text: the 状态 every ranking table shows: 缺检; 末位（连续N次） from the third
--    consecutive check (须书面说明) or from the second while still in the bottom three; 末位; ''.
CREATE OR REPLACE VIEW monthly_ranking AS
WITH base AS (
    SELECT
        m.area, m.month, m.check_no, g.grid_code, g.sort_order,
        round(s.total, 4) AS total
    FROM area_month m
    JOIN cur_grid_registry g ON g.area = m.area
    LEFT JOIN cur_monthly_score s
        ON s.area = m.area AND s.month = m.month AND s.grid_code = g.grid_code
),
ranked AS (
    SELECT
        *,
        competition_rank(area, month, total) AS rank,
        count(total) OVER (PARTITION BY area, month)::INTEGER AS n_ranked,
        bottom_three(area, month, total) AS bottom_three
    FROM base
),
islands AS (
    SELECT
        *,
        check_no - row_number() OVER (
            PARTITION BY area, grid_code, bottom_three ORDER BY check_no) AS island,
        lag(rank) OVER (PARTITION BY area, grid_code ORDER BY check_no) AS prev_rank
    FROM ranked
),
flagged AS (
    SELECT
        area,
        month,
        grid_code,
        total,
        rank,
        n_ranked,
        bottom_three,
        CASE WHEN bottom_three THEN
            row_number() OVER (PARTITION BY area, grid_code, bottom_three, island ORDER BY check_no)
        ELSE 0 END::INTEGER AS streak,
        total IS NULL AS missing,
        check_no,
        prev_rank::INTEGER AS prev_rank,
        (prev_rank - rank)::INTEGER AS rank_change,
        sort_order,
        top_three(rank, bottom_three) AS top_three
    FROM islands
)
SELECT *,
    CASE WHEN missing THEN '缺检'
        WHEN streak >= 3 OR (bottom_three AND streak >= 2) THEN '末位（连续' || streak || '次）'
        WHEN bottom_three THEN '末位'
        ELSE '' END AS status_text
FROM flagged;

-- DOMAIN §2: a category's score is the sum of its items; pages show categories.
-- ratio = score / max_points, for best and worst category; category_order follows the rubric.
CREATE OR REPLACE VIEW monthly_category_score AS
WITH cat AS (
    SELECT area, month, grid_code, category,
        sum(score) AS score, sum(max_points) AS max_points, min(item_code) AS first_item
    FROM cur_monthly_item_score
    GROUP BY area, month, grid_code, category
),
rubric_order AS (
    SELECT category, min(sort_order) AS category_order FROM cur_rubric GROUP BY category
)
SELECT
    c.area, c.month, c.grid_code, c.category,
    round(c.score, 4) AS score,
    c.max_points,
    CASE WHEN c.max_points > 0 THEN round(c.score / c.max_points, 4) END AS ratio,
    coalesce(r.category_order, 1000000) AS category_order,
    c.first_item
FROM cat c
LEFT JOIN rubric_order r USING (category);

-- Best and worst category of each grid-month by score / max (DOMAIN §2). A tie goes to the
-- category that comes first in the rubric.
CREATE OR REPLACE VIEW category_extremes AS
SELECT
    area, month, grid_code,
    first(category ORDER BY ratio DESC, category_order, first_item) AS best_category,
    max(ratio) AS best_ratio,
    first(category ORDER BY ratio ASC, category_order, first_item) AS worst_category,
    min(ratio) AS worst_ratio
FROM monthly_category_score
WHERE ratio IS NOT NULL
GROUP BY area, month, grid_code;

-- ---------------------------------------------------------------------------------------
-- DOMAIN §5: annual assessment.
--  * Rows: every registry grid × every year with a monthly or year-end score in its area.
--  * routine_avg: mean of the grid's monthly totals in the year's checks where it was scored.
--  * composite = round(w1 × routine_avg + w2 × year_end, 2), half away from zero on the
--    decimal value (cast to DECIMAL first so that 87.075 stored as 87.07499… still gives 87.08).
--  * Incomplete (no monthly score in the year, or no year-end score): composite, rank, tier
--    and reward_yuan NULL (not assessed: no decision, which is not the same as ¥0),
--    incomplete = true.
--  * rank: competition ranking of composite desc within (area, year).
--  * tier: composite < pass_mark → 不达标 whatever the rank; else rank ≤ tier1_ranks → 一类,
--    ≤ tier2_ranks → 二类, ≤ tier3_ranks → 三类, else 达标. Ties can overfill a tier:
--    over_quota marks every grid of a tier holding more grids than its quota (the rank span:
--    2, 4, 6), for the committee to settle (名额冲突). 达标/不达标 have no quota.
-- The rule as a table macro of its settings, so that the view, the what-if (other weights or
-- pass mark, nothing stored) and the provisional standing (project_year_end: a grid without
-- its year-end score is projected at its routine average) compute it in one place. A NULL
-- argument means the stored setting (rule_setting).
CREATE OR REPLACE MACRO annual_assessment(
    w_routine := NULL, w_year_end := NULL, pass_at := NULL,
    tier1 := NULL, tier2 := NULL, tier3 := NULL,
    reward1 := NULL, reward2 := NULL, reward3 := NULL, reward0 := NULL,
    project_year_end := false
) AS TABLE
WITH area_year AS (
    SELECT DISTINCT area, year(month)::INTEGER AS year FROM cur_monthly_score
    UNION
    SELECT DISTINCT area, year FROM cur_annual_score
),
st AS (
    SELECT
        coalesce(w_routine, weight_routine)::DOUBLE AS weight_routine,
        coalesce(w_year_end, weight_year_end)::DOUBLE AS weight_year_end,
        coalesce(pass_at, pass_mark)::DOUBLE AS pass_mark,
        coalesce(tier1, tier1_ranks)::INTEGER AS tier1_ranks,
        coalesce(tier2, tier2_ranks)::INTEGER AS tier2_ranks,
        coalesce(tier3, tier3_ranks)::INTEGER AS tier3_ranks,
        coalesce(reward1, reward_tier1)::INTEGER AS reward_tier1,
        coalesce(reward2, reward_tier2)::INTEGER AS reward_tier2,
        coalesce(reward3, reward_tier3)::INTEGER AS reward_tier3,
        coalesce(reward0, reward_pass)::INTEGER AS reward_pass
    FROM rule_setting
),
routine AS (
    SELECT s.area, year(s.month)::INTEGER AS year, s.grid_code,
        avg(round(s.total, 4)) AS routine_avg, count(*)::INTEGER AS n_months
    FROM cur_monthly_score s
    GROUP BY s.area, year(s.month), s.grid_code
),
base AS (
    SELECT
        y.area, y.year, g.grid_code, g.sort_order,
        r.routine_avg, coalesce(r.n_months, 0) AS n_months, a.year_end,
        composite_score(r.routine_avg,
            CASE WHEN project_year_end THEN coalesce(a.year_end, r.routine_avg) ELSE a.year_end END,
            st.weight_routine, st.weight_year_end) AS composite,
        st.*
    FROM area_year y
    JOIN cur_grid_registry g ON g.area = y.area
    CROSS JOIN st
    LEFT JOIN routine r ON r.area = y.area AND r.year = y.year AND r.grid_code = g.grid_code
    LEFT JOIN cur_annual_score a
        ON a.area = y.area AND a.year = y.year AND a.grid_code = g.grid_code
),
ranked AS (
    SELECT *, competition_rank(area, year, composite) AS rank FROM base
),
tiered AS (
    SELECT
        *,
        annual_tier(composite, rank, pass_mark, tier1_ranks, tier2_ranks, tier3_ranks) AS tier
    FROM ranked
),
quota AS (
    SELECT
        *,
        tier_quota(tier, tier1_ranks, tier2_ranks, tier3_ranks) AS tier_quota,
        CASE WHEN tier IS NOT NULL THEN
            count(*) OVER (PARTITION BY area, year, tier)
        END::INTEGER AS tier_count
    FROM tiered
)
SELECT
    area,
    year,
    grid_code,
    routine_avg,
    year_end,
    composite,
    rank,
    tier,
    tier_reward(tier, reward_tier1, reward_tier2, reward_tier3, reward_pass) AS reward_yuan,
    coalesce(tier_count > tier_quota, false) AS over_quota,
    composite IS NULL AS incomplete,
    n_months,
    tier_quota,
    tier_count,
    sort_order
FROM quota;

CREATE OR REPLACE VIEW annual_ranking AS
SELECT * FROM annual_assessment();

-- ---------------------------------------------------------------------------------------
-- DOMAIN §7: volunteer service per (grid, month), zeros included: a month with no activity
-- falls short of the one-per-month rule and must show as 0, not as a gap.
CREATE OR REPLACE VIEW volunteer_monthly AS
WITH act AS (
    SELECT area, month, grid_code,
        count(*) AS activities,
        coalesce(sum(participants), 0) AS participants,
        coalesce(sum(hours), 0) AS hours
    FROM cur_volunteer
    GROUP BY area, month, grid_code
)
SELECT
    gm.area,
    gm.month,
    gm.grid_code,
    coalesce(a.activities, 0)::INTEGER AS activities,
    coalesce(a.participants, 0)::INTEGER AS participants,
    coalesce(a.hours, 0)::DOUBLE AS hours,
    coalesce(a.activities, 0) = 0 AS falls_short
FROM grid_data_month gm
LEFT JOIN act a USING (area, month, grid_code);

-- ---------------------------------------------------------------------------------------
-- DOMAIN §6: monthly work report.
-- Deadline: day `report_deadline_day` (default 25) of the report's month, clamped to the
-- month's length. The status of one (grid, month) is decided by this macro so that the view
-- and the "who has not submitted" query for a month outside the data range agree.
CREATE OR REPLACE MACRO report_deadline(m, deadline_day) AS
    make_date(year(m), month(m), least(deadline_day, day(last_day(m))));

-- Statuses are as of grid_today(): a report dated after today has not arrived yet as of today
-- (the display, the pages and the bulletin then agree for a pinned or a past date).
CREATE OR REPLACE MACRO report_state(submitted, deadline) AS
    CASE
        WHEN submitted IS NOT NULL AND submitted <= grid_today() AND submitted <= deadline THEN '按时'
        WHEN submitted IS NOT NULL AND submitted <= grid_today() THEN '逾期'
        WHEN grid_today() > deadline THEN '未报送'
        ELSE '待报送'
    END;

-- Same grid × month range as volunteer_monthly. submitted_on is the first submission for
-- (grid, month): a second, later submission does not turn 按时 into 逾期 or back.
CREATE OR REPLACE VIEW report_status AS
WITH sub AS (
    SELECT area, month, grid_code,
        min(submitted_on) AS submitted_on,
        count(*)::INTEGER AS n_submissions
    FROM cur_report
    GROUP BY area, month, grid_code
),
dl AS (
    SELECT gm.*, report_deadline(gm.month, st.report_deadline_day) AS deadline
    FROM grid_data_month gm
    CROSS JOIN rule_setting st
)
SELECT
    dl.area,
    dl.month,
    dl.grid_code,
    s.submitted_on,
    report_state(s.submitted_on, dl.deadline) AS status,
    dl.deadline,
    coalesce(s.n_submissions, 0) AS n_submissions
FROM dl
LEFT JOIN sub s USING (area, month, grid_code);

-- ---------------------------------------------------------------------------------------
-- DOMAIN §8: patrol findings ledger.
-- status: 已整改 (has a rectified date); 逾期未整改 (none, deadline before today);
-- 整改中 (otherwise, including no deadline set).
-- on_time: rectified on or before the deadline; a rectified problem that had no deadline
-- counts as on time (no deadline was missed); NULL while not rectified.
-- days_overdue: days past the deadline, for overdue problems only.
CREATE OR REPLACE VIEW problem_status AS
SELECT
    p.area, p.month, p.grid_code, p.found_on, p.category, p.subcategory, p.location,
    p.description, p.handler, p.deadline, p.rectified_on, p.recheck, p.batch_id,
    CASE
        WHEN p.rectified_on IS NOT NULL THEN '已整改'
        WHEN p.deadline < grid_today() THEN '逾期未整改'
        ELSE '整改中'
    END AS status,
    CASE WHEN p.rectified_on IS NOT NULL THEN
        p.deadline IS NULL OR p.rectified_on <= p.deadline
    END AS on_time,
    CASE WHEN p.rectified_on IS NULL AND p.deadline < grid_today() THEN
        date_diff('day', p.deadline, grid_today())
    END::INTEGER AS days_overdue
FROM cur_problem p;

-- Counts per (area, month found, grid, category). found = rectified + open + overdue, where
-- open is 整改中 (not rectified, not overdue) and overdue is 逾期未整改.
-- rectification rate = rectified / found; on-time rate = rectified_on_time / rectified.
CREATE OR REPLACE VIEW problem_monthly AS
SELECT
    area,
    month,
    grid_code,
    category,
    count(*)::INTEGER AS found,
    count(rectified_on)::INTEGER AS rectified,
    -- count(*) FILTER, not count_if: count_if over only NULLs gives NULL, not 0
    count(*) FILTER (WHERE status = '逾期未整改')::INTEGER AS overdue,
    count(*) FILTER (WHERE on_time)::INTEGER AS rectified_on_time,
    count(*) FILTER (WHERE status = '整改中')::INTEGER AS open
FROM problem_status
GROUP BY area, month, grid_code, category;

-- ---------------------------------------------------------------------------------------
-- DOMAIN §10: street lighting. The one home of the lamp rule: lamp_monthly applies it to the
-- current checks and the upload preview to a file's rows before they are written, through
-- this table macro over any relation with area, month, grid_code, required, installed, lit.
--  * install_rate = installed / required (required ≥ 1: the loader refuses 0 and negatives).
--  * lit_rate = lit / installed; NULL when nothing is installed.
--  * meets_target: install_rate ≥ lamp_install_target AND lit_rate ≥ lamp_lit_target, compared
--    unrounded and exactly: as decimals, installed ≥ target × required and lit ≥ target ×
--    installed (a double 38/40 vs 0.95 must not depend on float noise). A NULL lit_rate does
--    not meet (false, not NULL). install_ok / lit_ok say which part failed.
CREATE OR REPLACE MACRO lamp_rates(checks) AS TABLE
SELECT
    c.area,
    c.month,
    c.grid_code,
    c.required::INTEGER AS required,
    c.installed::INTEGER AS installed,
    c.lit::INTEGER AS lit,
    CASE WHEN c.required > 0 THEN c.installed / c.required END::DOUBLE AS install_rate,
    CASE WHEN c.installed > 0 THEN c.lit / c.installed END::DOUBLE AS lit_rate,
    install_ok AND lit_ok AS meets_target,
    install_ok,
    lit_ok
FROM query_table(checks) c
CROSS JOIN rule_setting st,
LATERAL (SELECT
    coalesce(c.required > 0
        AND c.installed::DECIMAL(18, 4) >= st.lamp_install_target * c.required, false) AS install_ok,
    coalesce(c.installed > 0
        AND c.lit::DECIMAL(18, 4) >= st.lamp_lit_target * c.installed, false) AS lit_ok
);

-- One row per grid-month with a check, for grids of the current registry (checks of grids
-- absent from it are ignored, as everywhere). shortfall_rank orders the grids below target
-- worst first (DOMAIN §10): lowest lit_rate (none installed counts lowest), then lowest
-- install_rate, then registry order; NULL for grids meeting the target.
CREATE OR REPLACE VIEW lamp_monthly AS
WITH r AS (
    SELECT r.*, g.sort_order
    FROM lamp_rates('cur_lamp_check') r
    JOIN cur_grid_registry g ON g.area = r.area AND g.grid_code = r.grid_code
)
SELECT
    area, month, grid_code, required, installed, lit, install_rate, lit_rate, meets_target,
    install_ok, lit_ok,
    CASE WHEN NOT meets_target THEN
        row_number() OVER (PARTITION BY area, month, meets_target
            ORDER BY lit_rate ASC NULLS FIRST, install_rate ASC, sort_order)
    END::INTEGER AS shortfall_rank,
    sort_order
FROM r;

-- The area's lamps per checked month (DOMAIN §10, for the trend): rates over the area's lamps
-- (sum of lit / sum of installed …), the grids checked and the grids meeting the target.
CREATE OR REPLACE VIEW lamp_area_monthly AS
SELECT
    area,
    month,
    count(*)::INTEGER AS grids_checked,
    count(*) FILTER (WHERE meets_target)::INTEGER AS grids_meeting,
    sum(required)::INTEGER AS required,
    sum(installed)::INTEGER AS installed,
    sum(lit)::INTEGER AS lit,
    CASE WHEN sum(required) > 0 THEN sum(installed) / sum(required) END::DOUBLE AS install_rate,
    CASE WHEN sum(installed) > 0 THEN sum(lit) / sum(installed) END::DOUBLE AS lit_rate
FROM lamp_monthly
GROUP BY area, month;

-- ---------------------------------------------------------------------------------------
-- DOMAIN §11: the work mechanism, from the monthly reports. Same grid × month range as
-- volunteer_monthly (grid_data_month). meetings, patrols, pictures: sums over the month's
-- report rows, NULL when no row carries the column (a grid that sent nothing has NULLs).
-- meetings_short = coalesce(meetings, 0) < meetings_expected, so a grid that sent nothing
-- falls short too; NULL for every row of an area none of whose current report rows has ever
-- carried 会议次数 (the office does not track it: pages say 未统计).
CREATE OR REPLACE VIEW work_mechanism_monthly AS
WITH rep AS (
    SELECT area, month, grid_code,
        sum(meetings) AS meetings, sum(patrols) AS patrols, sum(pictures) AS pictures,
        count(*) AS n_reports
    FROM cur_report
    GROUP BY area, month, grid_code
),
tracked AS (
    SELECT area, count(meetings) > 0 AS meetings_tracked,
        count(patrols) > 0 AS patrols_tracked, count(pictures) > 0 AS pictures_tracked
    FROM cur_report
    GROUP BY area
)
SELECT
    gm.area,
    gm.month,
    gm.grid_code,
    r.meetings::INTEGER AS meetings,
    r.patrols::INTEGER AS patrols,
    r.pictures::INTEGER AS pictures,
    CASE WHEN t.meetings_tracked THEN coalesce(r.meetings, 0) < st.meetings_expected END
        AS meetings_short,
    st.meetings_expected,
    coalesce(t.meetings_tracked, false) AS meetings_tracked,
    coalesce(t.patrols_tracked, false) AS patrols_tracked,
    coalesce(t.pictures_tracked, false) AS pictures_tracked,
    coalesce(r.n_reports, 0)::INTEGER AS n_reports
FROM grid_data_month gm
CROSS JOIN rule_setting st
LEFT JOIN rep r USING (area, month, grid_code)
LEFT JOIN tracked t USING (area);

-- ---------------------------------------------------------------------------------------
-- DOMAIN §9 (issue 7): the grids that get a notice for a month, one row per (grid, kind).
--  * 末位整改: in the bottom three at the month's check (§4).
--  * 书面说明: streak ≥ 3 at the month's check: the leader explains in writing (§4).
--  * 未按时报送: no report by the deadline, i.e. 逾期 or 未报送 (§6); 待报送 is not yet due.
--  * 无志愿服务: no volunteer activity in the month (§7).
--  * 逾期问题: a problem found in the month that is 逾期未整改 today (§8), as problem_monthly
--    counts it; problems of grids outside the registry are ignored like everywhere else.
--  * 年度不达标: at year end (the December of the year), annual tier 不达标 (§5).
--  * 路灯未达标: a lamp check of the month below the install or lit target (§10).
CREATE OR REPLACE VIEW notice_draft AS
SELECT area, month, grid_code, '末位整改' AS kind, 1 AS kind_order
FROM monthly_ranking WHERE bottom_three
UNION ALL
SELECT area, month, grid_code, '书面说明', 2
FROM monthly_ranking WHERE streak >= 3
UNION ALL
SELECT area, month, grid_code, '未按时报送', 3
FROM report_status WHERE status IN ('逾期', '未报送')
UNION ALL
SELECT area, month, grid_code, '无志愿服务', 4
FROM volunteer_monthly WHERE activities = 0
UNION ALL
SELECT area, month, grid_code, '逾期问题', 5
FROM problem_monthly
WHERE overdue > 0 AND (area, grid_code) IN (SELECT (area, grid_code) FROM cur_grid_registry)
GROUP BY area, month, grid_code
UNION ALL
SELECT area, make_date(year, 12, 1), grid_code, '年度不达标', 6
FROM annual_ranking WHERE tier = '不达标'
UNION ALL
SELECT area, month, grid_code, '路灯未达标', 7
FROM lamp_monthly WHERE NOT meets_target;

-- The statuses a bulletin dated `issued` states are as of that date, or as of today when the
-- date lies ahead (a draft written early states what is known today).
CREATE OR REPLACE MACRO bulletin_as_of(issued) AS least(issued::DATE, grid_today());

-- DOMAIN §9: a notice issued on `issued` is due notice_due_days later (the setting at the time
-- of issue; the notice_event row keeps the date it stated).
CREATE OR REPLACE MACRO notice_due_on(issued) AS
    (issued::DATE + (SELECT notice_due_days FROM rule_setting) * INTERVAL 1 DAY)::DATE;

-- Issued notices (etl/load/notice_events.py records them in notice_event): one row per notice.
--  * issued_on, due_on (issued_on + notice_due_days at the time of issue, as the notice says),
--    notice_no and facts come from its 'issue' event.
--  * responded_on: the first response received; closed_on: when it was verified and closed.
--  * status: 已办结 (closed) › 已回复 (a response) › 逾期未回复 (none and today is past due_on)
--    › 待回复. A response on due_on is in time.
CREATE OR REPLACE VIEW notice AS
WITH issued AS (
    SELECT * FROM notice_event WHERE action = 'issue'
    QUALIFY row_number() OVER (PARTITION BY notice_id ORDER BY event_id) = 1
),
responses AS (
    SELECT notice_id, min(on_date) AS responded_on, arg_min(note, on_date) AS response_note,
        arg_min(recorded_by, on_date) AS responded_by, count(*)::INTEGER AS n_responses
    FROM notice_event WHERE action = 'respond'
    GROUP BY notice_id
),
closings AS (
    SELECT notice_id, max(on_date) AS closed_on, arg_max(note, on_date) AS close_note,
        arg_max(recorded_by, on_date) AS closed_by
    FROM notice_event WHERE action = 'close'
    GROUP BY notice_id
)
SELECT
    i.area,
    i.month,
    i.grid_code,
    i.kind,
    i.on_date AS issued_on,
    i.due_on,
    r.responded_on,
    c.closed_on,
    CASE
        WHEN c.closed_on IS NOT NULL THEN '已办结'
        WHEN r.responded_on IS NOT NULL THEN '已回复'
        WHEN grid_today() > i.due_on THEN '逾期未回复'
        ELSE '待回复'
    END AS status,
    i.notice_id,
    i.notice_no,
    i.facts,
    i.recorded_by AS issued_by,
    r.response_note,
    r.responded_by,
    coalesce(r.n_responses, 0) AS n_responses,
    c.close_note,
    c.closed_by,
    coalesce(r.responded_on > i.due_on, false) AS responded_late,
    CASE WHEN r.responded_on IS NULL AND c.closed_on IS NULL AND grid_today() > i.due_on THEN
        date_diff('day', i.due_on, grid_today())
    END::INTEGER AS days_overdue
FROM issued i
LEFT JOIN responses r USING (notice_id)
LEFT JOIN closings c USING (notice_id);
