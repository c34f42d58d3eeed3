//! proctor-math: placeholder until its issue lands.
