"""The demo district `make run` loads: two campuses, twelve teachers and one of each role.

Loaded through the roster import, so loading it twice changes nothing. Never in production.
"""

DEMO_PASSWORD = "plcoach-demo"

DEMO_ROSTER = """role,employee_id,email,first_name,last_name,campus_code,campus_name,grade_band,subject,login
teacher,demo-teacher,maria.alvarez@demo.plcoach.test,Maria,Alvarez,OAK,Oak Cliff Elementary,3-5,Math,yes
teacher,T1002,james.brooks@demo.plcoach.test,James,Brooks,OAK,Oak Cliff Elementary,K-2,Reading,
teacher,T1003,aisha.carter@demo.plcoach.test,Aisha,Carter,OAK,Oak Cliff Elementary,3-5,Science,
teacher,T1004,daniel.nguyen@demo.plcoach.test,Daniel,Nguyen,OAK,Oak Cliff Elementary,3-5,Reading,
teacher,T1005,sofia.ramirez@demo.plcoach.test,Sofia,Ramirez,OAK,Oak Cliff Elementary,K-2,Math,
teacher,T1006,liam.oconnor@demo.plcoach.test,Liam,O'Connor,OAK,Oak Cliff Elementary,K-2,Science,
teacher,T2001,grace.kim@demo.plcoach.test,Grace,Kim,LKW,Lakewood Middle School,6-8,Math,
teacher,T2002,marcus.johnson@demo.plcoach.test,Marcus,Johnson,LKW,Lakewood Middle School,6-8,English,
teacher,T2003,elena.petrova@demo.plcoach.test,Elena,Petrova,LKW,Lakewood Middle School,6-8,Science,
teacher,T2004,david.okafor@demo.plcoach.test,David,Okafor,LKW,Lakewood Middle School,6-8,Social Studies,
teacher,T2005,hannah.weiss@demo.plcoach.test,Hannah,Weiss,LKW,Lakewood Middle School,6-8,Math,
teacher,T2006,carlos.mendez@demo.plcoach.test,Carlos,Mendez,LKW,Lakewood Middle School,6-8,English,
coach,demo-coach,priya.shah@demo.plcoach.test,Priya,Shah,OAK,,,,
coach,demo-coach,priya.shah@demo.plcoach.test,Priya,Shah,LKW,,,,
principal,demo-principal,robert.hayes@demo.plcoach.test,Robert,Hayes,OAK,,,,
district_leader,demo-leader,angela.foster@demo.plcoach.test,Angela,Foster,,,,,
site_admin,demo-admin,it.admin@demo.plcoach.test,Sam,Admin,,,,,
"""
