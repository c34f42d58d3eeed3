//! proctor-topology: placeholder until its issue lands.
