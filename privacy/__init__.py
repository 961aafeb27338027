"""Privacy features: log redaction (`privacy.redaction`) and data retention (`privacy.retention`)."""
