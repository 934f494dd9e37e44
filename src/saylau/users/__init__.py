"""Users of the write API: named, with a role and a commission scope, holding hashed tokens."""
