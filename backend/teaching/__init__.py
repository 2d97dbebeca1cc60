"""The numbers behind the teaching pages (Help ▸ Explore), computed with numpy alone.

Each module owns one concept of the course and returns plain data the designer draws:
`conv` (a kernel sliding over a grid, step by step), `compgraph` (a scalar computation graph
with forward values and backward gradients), `activations` (functions and derivatives),
`softmax` (probabilities and the loss in nats and bits), `surfaces` and `optimisers`
(trajectories of the nine optimisers on 2-D loss surfaces) and `perceptron` (the perceptron
learning rule on 2-D sets). Nothing here imports torch or Qt: the pages open instantly and the
tests check these numbers against torch.
"""
