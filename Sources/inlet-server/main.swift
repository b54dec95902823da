import InletHTTP

print("inlet-server: not implemented yet")
