//! proctor-actors: placeholder until its issue lands.
