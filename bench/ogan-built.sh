# Sourced by the bench scripts: builds the CLI and sets `ogan` to the command that runs it (in the Debian 13
# root where the host needs it). Run from the repository root.
dotnet build src/OGan.Cli -c Release --nologo -v quiet -clp:NoSummary
ogan_dll=$PWD/src/OGan.Cli/bin/Release/net10.0/ogan.dll
ogan=(dotnet "$ogan_dll")
if bash scripts/debian13.sh needed; then ogan=(bash scripts/debian13.sh run dotnet "$ogan_dll"); fi
