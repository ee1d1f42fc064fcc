"""The national scoping strand's web app: the framework register, its map and the survey."""
