//! proctor-logic: placeholder until its issue lands.
