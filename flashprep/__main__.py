from flashprep.cli import main

main()
