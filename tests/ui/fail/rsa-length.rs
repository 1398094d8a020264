use sealed_runtime::{sealed, Sealed};

static VALUE: Sealed = sealed!("NxXPwnaX6y4CUfDuacloCBbJPiW7gq0qJsxYxSM0Muw4r1S1+RH/AMrhegl/hsdU6BHAmqIQMt2gDNhdyWkXprf4WZUpzfd+rMW+fyJC1LHvTecNvnfVyc2ulypvYtOjyPDeg0y/9ZeIp/KhHRH3yMnNQMDW2Ds9MpZ1jzzgfpPo7q/jtQxkqchly6CuxvFX02Fn8hY6p6zWylapmOfWbcpOAUx9mgTzHODPeWtpmkx1JVWLNhVaZNh3nghKVRb+RS+z43FoqYnOPR43rqAKYNLlL2NFVfUmXCo5WePQnOHk9WROf1H04IHK/Zsw29T3KWSGAgDaLBrxPnSQz6hAvFqtGfyNvNzAg6pgIu3A5ECqahODn1RxRPVLXE6ptaGvYPCFz60P6Kd/fl2x", key = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", algorithm = "RSAES_OAEP_SHA_256");

fn main() {}
