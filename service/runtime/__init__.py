"""Runtime: settings, logs, metrics, the embedded database, the plan file in force, backup and
the progress display. Imports every room below the HTTP edge."""
