-- The catalog of the current schema, one line a row: enum types with their
-- labels, columns, constraints, indexes, sequences and the version rows.
-- Run by gen_schema_postgres.py on the database the real Optuna created and
-- by tuner/rdb's TestPostgresSchemaMatchesOptuna on the one OpenPostgres
-- created; the two outputs must be equal.
SELECT line FROM (
  SELECT 'enum ' || t.typname || ' (' || string_agg(e.enumlabel, ', ' ORDER BY e.enumsortorder) || ')' AS line
  FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
  WHERE n.nspname = current_schema() GROUP BY t.typname
  UNION ALL
  SELECT 'column ' || c.table_name || '.' || c.column_name || ' #' || c.ordinal_position || ' ' ||
    format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END ||
    coalesce(' DEFAULT ' || c.column_default, '')
  FROM information_schema.columns c
  JOIN pg_attribute a ON a.attrelid = (quote_ident(c.table_schema) || '.' || quote_ident(c.table_name))::regclass
    AND a.attname = c.column_name
  WHERE c.table_schema = current_schema()
  UNION ALL
  SELECT 'constraint ' || r.relname || ' ' || k.conname || ' ' || pg_get_constraintdef(k.oid)
  FROM pg_constraint k JOIN pg_class r ON r.oid = k.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace
  WHERE n.nspname = current_schema()
  UNION ALL
  SELECT 'index ' || tablename || ' ' || indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = current_schema()
  UNION ALL
  SELECT 'sequence ' || s.sequencename || ' ' || s.data_type::text || ' start ' || s.start_value || ' owned by ' ||
    coalesce((SELECT r.relname || '.' || a.attname FROM pg_depend d
      JOIN pg_class r ON r.oid = d.refobjid JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
      WHERE d.objid = (quote_ident(s.schemaname) || '.' || quote_ident(s.sequencename))::regclass AND d.deptype = 'a'), '-')
  FROM pg_sequences s WHERE s.schemaname = current_schema()
  UNION ALL
  SELECT 'version_info ' || version_info_id || ' ' || coalesce(schema_version::text, 'NULL') || ' ' || coalesce(library_version, 'NULL')
  FROM version_info
  UNION ALL
  SELECT 'alembic_version ' || version_num FROM alembic_version
) catalog ORDER BY line COLLATE "C";
