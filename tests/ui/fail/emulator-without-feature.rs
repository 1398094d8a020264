use sealed_runtime::{sealed, Sealed};

static VALUE: Sealed = sealed!("NzM2ZWMzMTgtZjA3Yy00MzkxLTgyM2UtOGYxODAwMWFkOTBmLO1KGbMBRuGiL8ie7G1dO3hC3YBci5dceWxCZY0siuvSsJEtGtS+S/I=");

fn main() {}
