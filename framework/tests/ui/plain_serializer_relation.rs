use rest_framework::Serializer;

#[derive(Serializer)]
pub struct LoginSerializer {
    pub email: String,
    #[field(pk_related)]
    pub user: i64,
}

fn main() {}
