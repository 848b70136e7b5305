// Package chisession shows that chi needs no adapter: chi routers take
// net/http middleware, so cookiesession's [cookiesession.Manager.Handler]
// goes straight into Use, and handlers get the session with
// [cookiesession.FromRequest]. The package holds only its example and tests;
// nothing needs to import it.
//
//	r := chi.NewRouter()
//	r.Use(sessions.Handler)
//	r.Get("/login/{user}", func(w http.ResponseWriter, r *http.Request) {
//		if err := cookiesession.FromRequest(r).Set("user", chi.URLParam(r, "user")); err != nil {
//			http.Error(w, err.Error(), http.StatusInternalServerError)
//			return
//		}
//		fmt.Fprint(w, "Done")
//	})
package chisession
