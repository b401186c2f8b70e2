import gdb


def register():
    pass
