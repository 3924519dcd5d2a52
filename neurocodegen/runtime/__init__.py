"""Groups, monitors, clocks and networks: the objects a user builds and runs."""
