module github.com/cookiesession/cookiesession

go 1.22
