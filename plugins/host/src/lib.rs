//! proctor-plugin-host: placeholder until its issue lands.
