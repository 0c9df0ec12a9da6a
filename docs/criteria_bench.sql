-- Synthetic registry for timing the criteria compiler: 1,000,000 enterprises, ~13 M indicator values, ~0.5 M tags.
-- DESTRUCTIVE: truncates the registry (CASCADE). Run only against a scratch database after migrate, e.g.
--   createdb -h 127.0.0.1 -U postgres portal_bench && DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench .venv/bin/python manage.py migrate
--   psql -h 127.0.0.1 -U postgres portal_bench -f docs/criteria_bench.sql   (about 25 min on the shared 2-core machine)
--   DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench .venv/bin/python -m matching.criteria.bench
\timing on
\set ON_ERROR_STOP on
SET synchronous_commit = off;
TRUNCATE enterprises_indicatorvalue, enterprises_enterprisetag, enterprises_enterprise RESTART IDENTITY CASCADE;
INSERT INTO enterprises_enterprise (credit_code, name, entity_type, district, zone, industry, established_on,
  registered_capital, scale, address, legal_representative, contact_name, contact_phone, contact_email,
  needs_review, review_reason, created_at, updated_at)
SELECT '91B' || lpad(g::text, 15, '0'), '企业' || g,
  CASE WHEN g % 10 = 0 THEN 'individual_business' ELSE 'enterprise' END,
  (ARRAY['410102','410103','410104','410105','410106','410108','410122','410181','410182','410183','410184','410185','410100','410171','410172','410173'])[1 + g % 16],
  CASE WHEN g % 7 = 0 THEN '410171' WHEN g % 11 = 0 THEN '410172' ELSE '' END,
  (ARRAY['C3411','C3412','I6513','I6510','F5110','E4710','M7320','C3911','A0111','G5430','C26','I65'])[1 + g % 12],
  CASE WHEN g % 50 = 0 THEN NULL ELSE date '1995-01-01' + (g * 37 % 11000)::int END,
  CASE WHEN g % 40 = 0 THEN NULL ELSE ((g * 7919) % 2000) * 50000 END,
  (ARRAY['micro','micro','micro','small','small','medium','large',NULL])[1 + g % 8],
  '', '', '', '', '', false, '', now(), now()
FROM generate_series(1::bigint, 1000000::bigint) g;
DROP INDEX IF EXISTS enterprises_indicatorvalue_enterprise_id_e8a64974, enterprises_indicatorvalue_indicator_id_7d9d7187, indval_ind_period_value;
ALTER TABLE enterprises_indicatorvalue DROP CONSTRAINT IF EXISTS indicator_value_unique;
INSERT INTO enterprises_indicatorvalue (enterprise_id, indicator_id, period, period_start, period_end, value, text_value, source, as_of, updated_at)
SELECT e, i, y::text, make_date(y, 1, 1), make_date(y, 12, 31),
  CASE i WHEN 1 THEN (e * 13 + y) % 900 WHEN 2 THEN ((e * 7919 + y * 31) % 100000) * 1000
         WHEN 3 THEN ((e * 104729 + y) % 50000) * 2000 ELSE ((e * 31 + y) % 10000) * 500 END,
  '', 'bench', NULL, now()
FROM generate_series(1::bigint, 1000000::bigint) e, unnest(ARRAY[1, 2, 3, 5]) i, generate_series(2023, 2025) y
WHERE NOT (y = 2025 AND e % 3 = 0) AND NOT (i = 5 AND e % 4 = 0);
INSERT INTO enterprises_indicatorvalue (enterprise_id, indicator_id, period, period_start, period_end, value, text_value, source, as_of, updated_at)
SELECT e, i, y::text, make_date(y, 1, 1), make_date(y, 12, 31), ((e * 17 + y) % 5000) * 1000, '', 'bench', NULL, now()
FROM generate_series(1::bigint, 1000000::bigint) e, unnest(ARRAY[4, 6]) i, generate_series(2023, 2024) y WHERE e % 5 <> 0;
ALTER TABLE enterprises_indicatorvalue ADD CONSTRAINT indicator_value_unique UNIQUE (enterprise_id, indicator_id, period);
CREATE INDEX indval_ind_period_value ON enterprises_indicatorvalue (indicator_id, period, value);
CREATE INDEX enterprises_indicatorvalue_enterprise_id_e8a64974 ON enterprises_indicatorvalue (enterprise_id);
CREATE INDEX enterprises_indicatorvalue_indicator_id_7d9d7187 ON enterprises_indicatorvalue (indicator_id);
INSERT INTO enterprises_enterprisetag (enterprise_id, tag_id, recognized_on, expires_on, first_time, source)
SELECT e, t, CASE WHEN e % 9 = 0 THEN NULL ELSE date '2021-01-01' + (e * 13 % 1600)::int END,
  CASE WHEN e % 9 = 0 THEN NULL ELSE date '2021-01-01' + (e * 13 % 1600)::int + 1095 END,
  CASE WHEN e % 5 = 0 THEN NULL ELSE e % 2 = 0 END, 'bench'
FROM generate_series(1::bigint, 1000000::bigint) e, generate_series(1, 20) t WHERE (e * 7 + t * 13) % 41 = 0;
VACUUM ANALYZE enterprises_enterprise;
VACUUM ANALYZE enterprises_indicatorvalue;
VACUUM ANALYZE enterprises_enterprisetag;
SELECT count(*) FROM enterprises_indicatorvalue;
SELECT count(*) FROM enterprises_enterprisetag;
-- the two indexes recommended in docs/criteria.md (until a migration adds them)
CREATE INDEX IF NOT EXISTS indval_latest ON enterprises_indicatorvalue
  (enterprise_id, indicator_id, period_end DESC NULLS LAST, period_start DESC NULLS LAST) INCLUDE (value);
CREATE INDEX IF NOT EXISTS indval_ind_period_value_ent ON enterprises_indicatorvalue (indicator_id, period, value) INCLUDE (enterprise_id);
VACUUM ANALYZE enterprises_indicatorvalue;
