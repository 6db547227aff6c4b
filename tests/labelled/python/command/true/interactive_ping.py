import subprocess

target = input("Host to check: ")
output = subprocess.getoutput("ping -c 3 " + target)
print(output)
