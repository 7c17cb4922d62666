"""HTML forms for patient intake. They validate input only; every write is a service call."""
