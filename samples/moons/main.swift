import Micrograd
let a = Tensor([1, 2, 3], shape: [3], requiresGrad: true)
let b = Tensor([1, 2, 3], shape: [3], requiresGrad: true)
let y = a + b
y.backward(Tensor([1, 1, 1]))
print(a.grad == nil, b.grad == nil)
if let g = a.grad { print(g) } else { print("really nil") }
