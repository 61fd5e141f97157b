"""The minutes of meetings (Art. 15-16): drafted from the record, written by the Office, signed
by the body's leader, numbered, rendered to PDF, signed cryptographically, issued to the units
concerned and verifiable by anyone. See README.md's Layout for the modules."""
