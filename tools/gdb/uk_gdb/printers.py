def register(objfile):
    pass
