use sealed_runtime::{sealed, Sealed};

static VALUE: Sealed = sealed!(
    "NzyXiyFe6pp5oJQQmwPo1nhCjTsx/rd4itaMeWWj3CY7oibe7YVjvQOrxhAowvWXCk3HB9LdRHmYuOvgY7bJ621lus2TcfbvIuBdGAkifjdC96xvx6DaTWuB1WKSWYiVaJU751au6u0H20f9m6uyKbLcU/aK55KRGranNqLU/JJESB8Qe9qj/XsWWMwRaeUmBUttxGrfHguancILYLeWVI3h7PtHgTz/CU8BExuZiQjyMvhoSpxDJ7AK+t5WUFz1I+XcYGB13oVipN2Yro8anvnwz4FFbqK4tzzvTW/6QoVNjFYCyWr8lFAFYJ2WoSIPoqBVd1qt6lqbtEe8fQWWDw==",
    algorithm = "RSAES_OAEP_SHA_256",
);

fn main() {}
