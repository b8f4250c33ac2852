"""The workbook: the blank one we write, the cells we read, the project we parse."""
