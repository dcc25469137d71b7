use autodiff::{Param, Tensor};

fn main() {
    let _x = Param::new(Tensor::<i32, 3>::zeros());
}
