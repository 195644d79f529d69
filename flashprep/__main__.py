from flashprep.main import main

if __name__ == "__main__":  # not when a worker process imports it (flashprep.indexload)
    main()
