"""The service's id. It keeps no data: its links are the establishments' settings."""

SERVICE_ID = "external_link"
