import sys
print("report", " ".join(sys.argv[1:]))
