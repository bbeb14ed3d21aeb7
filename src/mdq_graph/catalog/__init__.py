"""The dataset's description for portals: DCAT-AP 3.0.1, VoID statistics, the schema.org Dataset."""
