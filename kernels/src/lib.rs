//! proctor-kernels: placeholder until its issue lands.
