"""The reads of cases, by concern, with who-sees-what applied in one place (`visibility`)."""
