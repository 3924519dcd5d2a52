"""The standalone C++ program: project files, build, run, and loading its results."""
