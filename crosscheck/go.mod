module github.com/cookiesession/cookiesession/crosscheck

go 1.22

require (
	github.com/fernet/fernet-go v0.0.0-20240119011108-303da6aec611
	github.com/golang-jwt/jwt/v5 v5.3.1
)
