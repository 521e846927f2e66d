use rest_framework::Serializer;

#[derive(Serializer)]
pub struct CodeSerializer {
    #[field(validate(regex = "[a-z"))]
    pub code: String,
}

fn main() {}
