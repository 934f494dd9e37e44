"""The observation context: missions, observers, checklists, submissions, findings, quick count."""
