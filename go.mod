module github.com/barraiser/barraiser

go 1.26
