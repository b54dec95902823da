import InletWorker

print("inlet-worker: not implemented yet")
