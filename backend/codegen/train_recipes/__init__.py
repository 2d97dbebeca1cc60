"""The recipe classes of exported `train.py` files: one module per task recipe.

Each module holds one `Run` subclass (and its helpers) that the exporter copies verbatim
after train_runtime.py; its imports of Netwright modules are dropped on copying (they only
make the module importable for tests here). A recipe names its class in
`Recipe.script = "module:Class"`.
"""
