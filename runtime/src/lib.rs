//! proctor-runtime: placeholder until its issue lands.
