"""Run the simulator with `python -m boktor.sim`."""

from boktor.sim.cli import main

if __name__ == "__main__":
    main()
