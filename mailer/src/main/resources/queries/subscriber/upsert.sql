-- Insert a subscriber or, when the address exists, keep it and fill a missing name.
MERGE INTO subscribers s
USING (VALUES (CAST(:email AS VARCHAR(320)), CAST(:name AS VARCHAR(200)))) AS v (email, name)
ON s.email = v.email
WHEN MATCHED THEN UPDATE SET name = COALESCE(s.name, v.name), updated_at = :now
WHEN NOT MATCHED THEN INSERT (email, name, status, created_at, updated_at)
    VALUES (v.email, v.name, 'active', :now, :now)
