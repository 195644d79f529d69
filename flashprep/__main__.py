from flashprep.main import main

main()
