from qscore.cli import main

main(prog_name="qscore")
